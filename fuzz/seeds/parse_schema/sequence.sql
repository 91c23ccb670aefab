CREATE SEQUENCE counter_seq;
CREATE SEQUENCE public.order_seq AS integer INCREMENT BY 5 MINVALUE 10 MAXVALUE 100000 START WITH 10 CACHE 20 CYCLE;
CREATE TABLE orders (id integer NOT NULL DEFAULT nextval('order_seq'::regclass), n bigint DEFAULT nextval('counter_seq'));
ALTER SEQUENCE public.order_seq OWNED BY public.orders.id;
