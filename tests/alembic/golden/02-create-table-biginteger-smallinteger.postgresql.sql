CREATE TABLE t_big (
    id BIGSERIAL NOT NULL, 
    PRIMARY KEY (id)
);

CREATE TABLE t_small (
    id SMALLSERIAL NOT NULL, 
    PRIMARY KEY (id)
);

