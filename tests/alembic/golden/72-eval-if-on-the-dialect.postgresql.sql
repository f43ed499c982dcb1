SELECT 'pg';

