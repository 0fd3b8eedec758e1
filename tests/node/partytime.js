// Parse a feed with the Podcast Index's own parser (podcast-partytime) and print JSON.
// Usage: node tests/node/partytime.js feed.xml
"use strict";
const fs = require("fs");
const { parseFeed } = require("podcast-partytime");

const xml = fs.readFileSync(process.argv[2], "utf8");
const feed = parseFeed(xml, { allowMissingGuid: false });
if (!feed) {
  process.stderr.write("partytime could not parse the feed\n");
  process.exit(1);
}
process.stdout.write(JSON.stringify(feed, null, 1));
