CREATE TABLE t_types (
    id INTEGER NOT NULL, 
    c_string50 VARCHAR(50) NOT NULL, 
    c_string VARCHAR, 
    c_unicode VARCHAR(20), 
    c_text TEXT, 
    c_bool BOOLEAN, 
    c_small SMALLINT, 
    c_int INTEGER, 
    c_big BIGINT, 
    c_float FLOAT, 
    c_num NUMERIC(10, 2), 
    c_date DATE, 
    c_dt DATETIME, 
    c_dttz DATETIME, 
    c_time TIME, 
    c_interval DATETIME, 
    c_blob BLOB, 
    c_json JSON, 
    PRIMARY KEY (id)
);

