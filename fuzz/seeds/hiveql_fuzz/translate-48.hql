SELECT if(a > 1, 'big', 'small') FROM t WHERE name RLIKE '^a.*' OR name REGEXP 'b$'
