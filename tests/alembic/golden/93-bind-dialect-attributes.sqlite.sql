SELECT 'no native enum';

SELECT 'sqlite', 'False', 'False', 'False';

