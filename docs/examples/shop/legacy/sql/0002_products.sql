CREATE TABLE products (
  id INTEGER PRIMARY KEY,
  sku TEXT NOT NULL UNIQUE,
  price_cents INTEGER NOT NULL CHECK (price_cents >= 0)
);
INSERT INTO products (sku, price_cents) VALUES ('TEA-01', 450), ('MUG-02', 1200);
