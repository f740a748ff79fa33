-- One database per service, one owner; services never read each other's database.
--
-- The services connect as `jamsos`, which owns the databases and migrates them at start
-- (one DATABASE_URL per service). It is neither SUPERUSER nor BYPASSRLS: the row-level
-- security policies the services apply after migrating (services/chassis/row_security.py)
-- are FORCEd, so they hold the owner too, and a statement that forgot the branch filter
-- still sees only the caller's branches. Never grant it SUPERUSER or BYPASSRLS.
CREATE ROLE jamsos WITH LOGIN PASSWORD 'jamsos' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE DATABASE membership OWNER jamsos;
CREATE DATABASE contributions OWNER jamsos;
CREATE DATABASE benefits OWNER jamsos;
CREATE DATABASE welfare OWNER jamsos;
