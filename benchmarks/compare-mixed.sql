-- :rows customers; orders 4x, events 4x, attachments 1/4x
CREATE FUNCTION vocab() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$ SELECT string_to_array(
 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu '
 'red green blue yellow black white orange purple silver golden copper iron steel wooden glass paper plastic cotton '
 'order invoice payment refund shipment delivery return customer account balance credit debit transfer deposit '
 'berlin paris london madrid rome vienna prague warsaw lisbon dublin oslo helsinki athens amsterdam brussels zurich '
 'small large heavy light quick slow bright dark fresh old new modern classic simple complex stable '
 'apple pear plum cherry grape lemon melon peach mango banana', ' ') $$;
-- n random words; seed only makes the call depend on the row, so it is evaluated per row
CREATE FUNCTION rw(seed bigint, n int) RETURNS text LANGUAGE sql VOLATILE AS
 $$ SELECT string_agg((vocab())[1 + floor(random() * cardinality(vocab()))::int], ' ') FROM generate_series(1, n + (seed * 0)::int) $$;
CREATE TABLE customers (id bigint PRIMARY KEY, name text, email text, city text, created timestamptz,
  balance numeric(12,2), score double precision, active boolean);
INSERT INTO customers SELECT i, initcap(rw(i, 2)), 'user' || i || '@' || (vocab())[1 + i % cardinality(vocab())] || '.example.org',
  rw(i, 1), timestamptz '2020-01-01' + random() * interval '1500 days',
  round((random() * 10000)::numeric, 2), random(), random() < 0.9
  FROM generate_series(1, :rows) i;
CREATE TABLE orders (id bigint PRIMARY KEY, customer bigint, placed timestamptz, status text, doc jsonb);
INSERT INTO orders SELECT i, 1 + (random() * (:rows - 1))::bigint, timestamptz '2020-01-01' + random() * interval '1500 days',
  (ARRAY['new','paid','shipped','delivered','returned'])[1 + floor(random()*5)::int],
  jsonb_build_object('sku', 'SKU-' || (random()*99999)::int, 'qty', 1 + (random()*20)::int, 'price', round((random()*500)::numeric, 2),
    'currency', 'EUR', 'tags', jsonb_build_array(rw(i, 1), rw(i, 1)), 'note', rw(i, 4), 'ref', md5(random()::text))
  FROM generate_series(1, 4 * :rows) i;
CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz, kind text, message text, value double precision);
INSERT INTO events SELECT i, timestamptz '2024-01-01' + i * interval '1 second', rw(i, 1), rw(i, 8 + (random()*8)::int), random() * 1000
  FROM generate_series(1, 4 * :rows) i;
CREATE TABLE attachments (id bigint PRIMARY KEY, name text, data bytea);
INSERT INTO attachments SELECT i, rw(i, 1) || '.bin',
  decode((SELECT string_agg(md5(random()::text || g), '') FROM generate_series(1, 8 + (i*0)::int) g), 'hex')
  FROM generate_series(1, :rows / 4) i;
DROP FUNCTION rw(bigint, int);
DROP FUNCTION vocab();
