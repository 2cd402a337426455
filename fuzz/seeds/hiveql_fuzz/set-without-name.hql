SET =x;
SELECT regexp_replace(lpad('', 2000000, '1'), '[0-9]+', '#');
