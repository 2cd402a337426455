SELECT split(s, ',')[0], arr[i + 1], t.x[2] FROM t
