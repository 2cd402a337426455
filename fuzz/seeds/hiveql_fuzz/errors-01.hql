SELECT a FROM t LATERAL VIEW explode(arr) x AS item
