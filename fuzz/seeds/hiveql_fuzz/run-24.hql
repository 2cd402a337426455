SELECT split('a,b,,c,,', ','), size(split('a,b,,c,,', ',')), split('a,b', ',')[1], split('a,b', ',')[5], size(NULL), concat_ws('|', split('x y z', ' '))
