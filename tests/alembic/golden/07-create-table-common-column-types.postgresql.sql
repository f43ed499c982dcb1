CREATE TABLE t_types (
    id SERIAL NOT NULL, 
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
    c_dt TIMESTAMP WITHOUT TIME ZONE, 
    c_dttz TIMESTAMP WITH TIME ZONE, 
    c_time TIME WITHOUT TIME ZONE, 
    c_interval INTERVAL, 
    c_blob BYTEA, 
    c_json JSON, 
    PRIMARY KEY (id)
);

