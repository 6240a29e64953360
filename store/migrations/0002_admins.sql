-- Admins: people who signed in with LINE Login. The LINE user ID is the
-- identity. friendship_changed and friend_flag record the latest sign-in's
-- friendship outcome with the portal's Official Account; NULL means LINE
-- did not say (option not shown, or the status API could not be reached).
CREATE TABLE admins (
    id                 INTEGER PRIMARY KEY,
    line_user_id       TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    picture_url        TEXT NOT NULL DEFAULT '',
    friendship_changed INTEGER CHECK (friendship_changed IN (0, 1)),
    friend_flag        INTEGER CHECK (friend_flag IN (0, 1)),
    created_at         INTEGER NOT NULL,
    last_sign_in_at    INTEGER NOT NULL
) STRICT;
