"""Getting surveys to people: invitation CSV import, email invitations and reminders, QR site links."""
