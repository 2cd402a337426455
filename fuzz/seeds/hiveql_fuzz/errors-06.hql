SELECT * FROM t WHERE d > '${missing}'
