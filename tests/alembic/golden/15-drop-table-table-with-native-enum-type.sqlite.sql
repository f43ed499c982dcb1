DROP TABLE t_enum;

