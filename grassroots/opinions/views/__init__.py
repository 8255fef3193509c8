"""The pages of residents' opinions: `staff` (an organization's opinions, the staff entry, one opinion with its
routing and replies, the statistics), `imports` (a station's register import) and `public` (the station's pages
without an account, under p/). Open311 is `grassroots.opinions.open311`, the staff API `grassroots.opinions.api`."""
