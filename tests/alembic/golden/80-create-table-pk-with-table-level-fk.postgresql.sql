CREATE TABLE solves (
    id INTEGER NOT NULL, 
    note TEXT, 
    PRIMARY KEY (id), 
    FOREIGN KEY(id) REFERENCES submissions (id) ON DELETE CASCADE
);

