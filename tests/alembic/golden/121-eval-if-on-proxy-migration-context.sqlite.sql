SELECT 'lite';

