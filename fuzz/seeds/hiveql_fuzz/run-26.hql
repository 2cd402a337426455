SELECT coalesce(NULL, NULL, 3), nvl(NULL, 'd'), nvl('v', 'd'), if(1 > 2, 'yes', 'no'), CASE WHEN 2 > 1 THEN 'a' ELSE 'b' END, isnull(NULL), greatest(1, 5, 3), least(4, 2)
