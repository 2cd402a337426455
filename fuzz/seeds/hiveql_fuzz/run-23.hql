SELECT regexp_replace('a1b22c', '[0-9]+', '#'), regexp_extract('key=val', '(\\w+)=(\\w+)', 2), regexp_extract('nothing', 'x(y)', 1), 'abc' RLIKE 'b', 'abc' RLIKE '^b'
