ALTER TABLE t1 RENAME note TO remark;

