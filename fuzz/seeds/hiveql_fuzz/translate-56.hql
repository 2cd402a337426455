SELECT * FROM t WHERE d = '${day}' AND n > ${hivevar:min}
