-- a summary script
SET hive.cli.print.header=true;
/* a comment; with a semicolon
   over two lines */
SELECT ';' AS semi, "a;b"
-- a comment; with a semicolon
FROM t;

; ;
SELECT `we;ird` FROM t
