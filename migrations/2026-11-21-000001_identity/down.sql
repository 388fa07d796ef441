DROP TABLE login_throttle;
DROP TABLE refresh_tokens;
DROP TABLE auth_sessions;
DROP TABLE profiles;
DROP TABLE users;
