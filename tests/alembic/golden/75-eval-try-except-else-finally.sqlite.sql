CREATE INDEX ix_t1_code ON t1 (code);

SELECT 'else';

SELECT 'finally';

