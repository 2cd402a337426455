SELECT lpad('7', 3, '0'), rpad('ab', 4, '.'), reverse('abc'), locate('b', 'abcb'), locate('b', 'abcb', 3), initcap('hello world'), length('Grüße')
