"""Reference lists the feed rules check against, each copied from its owner's published list.

Sources: Apple Podcasts categories (podcasters.apple.com/support/1691), ISO 639-1, the
Podcast Index person taxonomy (taxonomy.json), licence list (licenses.json) and service
slugs (serviceslugs.txt). See ../shared/research/feed-standards.md for the addresses.
"""

from __future__ import annotations

# Apple's current list: 19 parents, 91 subcategories, spelled exactly as Apple does.
APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": (
        "Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit",
    ),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies",
        "Home & Garden", "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News", "Daily News", "Entertainment News", "News Commentary", "Politics",
        "Sports News", "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion", "Spirituality",
    ),
    "Science": (
        "Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics",
        "Natural Sciences", "Nature", "Physics", "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships",
    ),
    "Sports": (
        "Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf", "Hockey",
        "Rugby", "Running", "Soccer", "Swimming", "Tennis", "Volleyball", "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}  # fmt: skip

# Apple's pre-2019 names, still in old feeds and in the W3C validator; Apple refuses them.
OBSOLETE_CATEGORIES = frozenset({
    "Games & Hobbies", "Government & Organizations", "Health", "News & Politics",
    "Science & Medicine", "Sports & Recreation", "Literature", "Management & Marketing",
    "Shopping", "Educational Technology", "Education Technology", "Higher Education", "K-12",
    "Language Courses", "Training", "Other Games", "Local", "National", "Regional",
    "Fitness & Nutrition", "Self-Help", "Other", "Gadgets", "Podcasting", "Software How-To",
    "Amateur", "College & High School", "Outdoor", "Professional", "How-To", "Technology News",
    "Stand Up",
})  # fmt: skip

_ISO_639_1 = """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi
    ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks
    ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl
    nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl
    sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve
    vi vo wa wo xh yi yo za zh zu
"""
ISO_639_1 = frozenset(_ISO_639_1.split())

# Podcast Index person taxonomy: group → roles (compared case-insensitively).
PERSON_TAXONOMY: dict[str, tuple[str, ...]] = {
    "creative direction": (
        "director", "assistant director", "executive producer", "senior producer", "producer",
        "associate producer", "development producer", "creative director",
    ),
    "cast": (
        "host", "co-host", "guest host", "guest", "voice actor", "narrator", "announcer",
        "reporter",
    ),
    "writing": (
        "author", "editorial director", "co-writer", "writer", "songwriter", "guest writer",
        "story editor", "managing editor", "script editor", "script coordinator", "researcher",
        "editor", "fact checker", "translator", "transcriber", "logger",
    ),
    "audio production": (
        "studio coordinator", "technical director", "technical manager", "audio engineer",
        "remote recording engineer", "post production engineer",
    ),
    "audio post-production": (
        "audio editor", "sound designer", "foley artist", "composer", "theme music",
        "music production", "music contributor",
    ),
    "administration": (
        "production coordinator", "booking coordinator", "production assistant",
        "content manager", "marketing manager", "sales representative", "sales manager",
    ),
    "visuals": ("graphic designer", "cover art designer"),
    "community": ("social media manager",),
    "misc.": ("consultant", "intern"),
    "video production": (
        "camera operator", "lighting designer", "camera grip", "assistant camera",
    ),
    "video post-production": ("editor", "assistant editor"),
}  # fmt: skip

LICENSES = frozenset({"arr", "cc-by-4.0", "cc-by-nc-4.0", "cc-by-nc-nd-4.0", "pod-v4v-1.0"})

_SERVICE_SLUGS = """
    acast amazon anchor apple audible audioboom backtracks bitcoin blubrry buzzsprout
    captivate castos castopod facebook fireside fyyd google gpodder hypercatcher kasts
    libsyn mastodon megafono megaphone omnystudio overcast paypal pinecast podbean
    podcastaddict podcastguru podcastindex podcasts podchaser podcloud podfriend podiant
    podigee podnews podomatic podserve podverse redcircle relay resonaterecordings rss
    shoutengine simplecast slack soundcloud spotify spreaker tiktok transistor twitter
    whooshkaa youtube zencast
"""
SERVICE_SLUGS = frozenset(_SERVICE_SLUGS.split())

MEDIUMS = ("podcast", "music", "video", "film", "audiobook", "newsletter", "blog", "publisher",
           "course")  # fmt: skip

# Apple's media extensions and the MIME types each may carry.
APPLE_MEDIA_TYPES: dict[str, tuple[str, ...]] = {
    "mp3": ("audio/mpeg",),
    "m4a": ("audio/x-m4a", "audio/mp4", "audio/m4a"),
    "mp4": ("video/mp4", "audio/mp4"),
    "m4v": ("video/x-m4v",),
    "mov": ("video/quicktime",),
    "pdf": ("application/pdf",),
}

TRANSCRIPT_TYPES = ("text/plain", "text/html", "text/vtt", "application/json",
                    "application/x-subrip")  # fmt: skip
FEED_HTML_TAGS = frozenset({"p", "br", "a", "ul", "ol", "li", "b", "strong", "i", "em"})
UNSAFE_HTML_TAGS = frozenset({"script", "iframe", "object", "embed", "style"})
