INSERT INTO t1 (id, name, note) VALUES (1, 'a', NULL);

INSERT INTO t1 (id, name, note) VALUES (2, 'b''c', 'n');

