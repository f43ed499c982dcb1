CREATE TABLE user (
    id INTEGER NOT NULL, 
    email VARCHAR(50), 
    state VARCHAR(10), 
    PRIMARY KEY (id)
);

CREATE TABLE tfx (
    a VARCHAR(5), 
    b VARCHAR(5), 
    c INTEGER, 
    "Em" VARCHAR(5)
);

CREATE UNIQUE INDEX idx_only_one_active_email_no_case ON user (lower(email));

CREATE INDEX idx_y ON tfx (coalesce(a, b), c, upper("Em"));
