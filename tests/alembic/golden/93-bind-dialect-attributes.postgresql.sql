CREATE SEQUENCE s1;

SELECT 'postgresql', 'True', 'True', 'True';

