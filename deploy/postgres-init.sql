-- One database per service, one owner; services never read each other's database.
CREATE USER jamsos WITH PASSWORD 'jamsos';
CREATE DATABASE membership OWNER jamsos;
CREATE DATABASE contributions OWNER jamsos;
CREATE DATABASE benefits OWNER jamsos;
CREATE DATABASE welfare OWNER jamsos;
