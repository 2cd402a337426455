SELECT a / b, a DIV b FROM t
