"""The roster's pages, one module per face: `detail` (a member, logged reveals), `write` (add a member, record an
event, edit a record), `imports` (the spreadsheet import with its dry run) and `transfers` (the Transfers page).
URLs in `grassroots.members.urls`."""
