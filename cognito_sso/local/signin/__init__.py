"""Password sign-in and its challenges, mailed codes and TOTP (shared by the JSON API and the
hosted UI)."""
