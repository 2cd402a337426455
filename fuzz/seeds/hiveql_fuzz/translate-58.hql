SET hive.exec.dynamic.partition=true
