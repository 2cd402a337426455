SELECT `my col`, "it's", 'tab\there' FROM t
