"""Access: who is acting and what each role may do; users, passwords, sessions, single sign-on."""
