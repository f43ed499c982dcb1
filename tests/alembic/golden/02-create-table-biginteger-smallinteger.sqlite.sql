CREATE TABLE t_big (
    id BIGINT NOT NULL, 
    PRIMARY KEY (id)
);

CREATE TABLE t_small (
    id SMALLINT NOT NULL, 
    PRIMARY KEY (id)
);

