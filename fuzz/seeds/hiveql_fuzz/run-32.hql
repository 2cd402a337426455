CREATE TABLE w (k STRING, n INT);
INSERT INTO TABLE w VALUES ('x', 1), ('y', 1), ('x', 2), ('x', 2);
SELECT collect_set(k), collect_list(n), size(collect_set(n)), percentile(n, array(0, 0.5, 1)) FROM w
