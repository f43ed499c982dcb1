INSERT INTO t1 (name) VALUES ('a'); INSERT INTO t1 (name) VALUES ('b');

