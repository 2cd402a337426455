SELECT concat('a', 'b', 1), concat('a', NULL), concat_ws('-', 'x', NULL, 'y'), substr('hello', 2), substr('hello', -3, 2), substr('hello', 0, 2), lower('AbC'), upper('aBc'), trim('  x  ')
