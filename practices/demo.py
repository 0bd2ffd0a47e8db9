"""Demo practices: about thirty, across every focus area and coalition, with adoptions and comments.

Idempotent: practices are looked up by slug, adoptions by (practice, coalition), comments by
(practice, author, body). Existing rows are left as they are.
"""

from datetime import timedelta
from importlib import import_module

from django.apps import apps as django_apps
from django.utils import timezone

from .models import Adoption, Comment, FocusArea, Practice, PracticeKind, Report
from .services import index_practices

# The curated focus areas and kinds live in the data migration, so a clean database has them; a test
# database flushed by a transactional test does not, so the demo ensures them the same way.
_defaults = import_module("practices.migrations.0004_default_focus_areas_and_kinds")

PUBLIC, MEMBERS = Practice.Visibility.PUBLIC, Practice.Visibility.MEMBERS


def _body(background: str, steps: list[str], results: str, lessons: list[str]) -> str:
    return "\n\n".join(
        [
            "## Background",
            background,
            "## What we did",
            "\n".join(f"1. {step}" for step in steps),
            "## Results",
            results,
            "## What we would tell the next city",
            "\n".join(f"- {lesson}" for lesson in lessons),
        ]
    )


# fmt: off
# (slug, title, coalition, author, kind, focus areas, tags, maturity, jurisdiction, funding, visibility,
#  days since published, summary, body)
PRACTICES = [
    (
        "dallas-call-for-solutions-revenue-models",
        "Call for solutions: revenue models for smart infrastructure",
        "north-texas", "admin", "call-for-solutions", ["connectivity", "transportation"],
        ["call for solutions", "revenue model", "public-private partnership", "smart poles"],
        "production", "City of Dallas", "ppp", PUBLIC, 12,
        "Dallas asked industry how smart poles, curb sensors and public Wi-Fi could pay for themselves. "
        "Forty-one responses came in; we summarize the five revenue models that survived legal review and "
        "the one we put into a pilot agreement.",
        _body(
            "Our smart-city roadmap had more projects than capital budget. Instead of issuing an RFP for a "
            "solution we had already chosen, the Office of Innovation issued an open **call for solutions** "
            "asking for revenue models, not products.",
            [
                "Published a six-page problem statement with our right-of-way inventory and data policy.",
                "Held two virtual industry days (recordings attached) and answered 96 written questions.",
                "Scored responses with a panel from Finance, Legal, Public Works and IT against a public rubric.",
                "Invited the top five to a two-week co-design sprint before choosing one to pilot.",
            ],
            "Five models were viable: pole-attachment leasing, advertising on kiosks, anonymized mobility data "
            "licensing, energy-savings sharing on LED retrofits, and a concession for public Wi-Fi. We piloted "
            "the energy-savings model on 1,200 streetlights; it now covers the cost of the sensor network.",
            [
                "Ask for business models, not products: vendors were more creative than our RFP would have been.",
                "Bring Legal in on day one; data-licensing ideas died late because they came in late.",
                "Publish the scoring rubric with the call. It cut protests to zero.",
            ],
        ),
    ),
    (
        "cybersecurity-incident-response-rfp-template",
        "Cybersecurity incident-response retainer: RFP template",
        "illinois", "member1", "rfp-template", ["cybersecurity"],
        ["incident response", "RFP", "ransomware", "retainer", "procurement"],
        "scaled", "City of Evanston", "local", MEMBERS, 30,
        "A ready-to-edit RFP for an incident-response retainer with pre-negotiated hourly rates, a one-hour "
        "response commitment and forensic deliverables. Eleven Illinois municipalities have used it; a "
        "cooperative purchasing clause lets others piggyback.",
        _body(
            "After a neighboring village lost two weeks to ransomware, our council asked whether we could "
            "get help within the hour. Most cities only find a responder *during* an incident, when prices "
            "and terms are worst.",
            [
                "Drafted scope with our cyber insurer so the retainer satisfies the policy's panel requirements.",
                "Defined service levels: remote triage within 1 hour, on-site within 24 hours, 24/7/365.",
                "Required deliverables: chain-of-custody forensic report, executive briefing, lessons-learned.",
                "Added a cooperative purchasing clause so other public agencies can use the contract.",
            ],
            "Three firms responded; the award came in 30% below the insurer's panel rates. Eleven "
            "municipalities now use the contract. Two activations so far, both contained within a day.",
            [
                "Align with your insurer before you write a word: otherwise you may pay twice.",
                "Ask for unused retainer hours to convert into tabletop exercises or assessments.",
                "Keep the contact tree in the contract itself and test it quarterly.",
            ],
        ),
    ),
    (
        "connected-vehicle-pilot-signal-priority",
        "Connected-vehicle pilot: transit signal priority on the Colfax corridor",
        "colorado", "member1", "case-study", ["transportation"],
        ["connected vehicles", "V2X", "transit signal priority", "buses"],
        "pilot", "City and County of Denver", "federal", PUBLIC, 45,
        "Forty buses and 26 intersections exchanged messages over cellular V2X to give late buses a longer "
        "green. Average corridor travel time fell 8% at peak, with no measurable delay to cross traffic.",
        _body(
            "Colfax Avenue carries the busiest bus route in the region, and buses lose a fifth of their trip "
            "waiting at lights. A federal ATCMTD grant let us test connected-vehicle signal priority before "
            "committing to bus rapid transit.",
            [
                "Installed roadside units at 26 signalized intersections and on-board units on 40 buses.",
                "Granted priority only to buses more than two minutes behind schedule.",
                "Logged every request and the controller's response for independent evaluation.",
            ],
            "Peak travel time fell 8%, schedule adherence rose from 71% to 82%, and side-street delay "
            "changed by less than two seconds per vehicle.",
            [
                "Conditional priority (late buses only) kept traffic engineers on board.",
                "Budget for controller firmware upgrades; half our cabinets needed them.",
                "Insist on open message standards (SAE J2735) so you are not tied to one vendor.",
            ],
        ),
    ),
    (
        "broadband-mapping-playbook",
        "Broadband mapping playbook: finding the households the federal map misses",
        "kc-digital-drive", "member1", "playbook", ["connectivity"],
        ["broadband", "digital divide", "mapping", "BEAD", "speed tests"],
        "scaled", "Kansas City, Missouri", "philanthropy", PUBLIC, 60,
        "A step-by-step method combining crowdsourced speed tests, address-level provider data and door-to-door "
        "surveys to find unserved households. It supported a successful challenge to the FCC map covering "
        "3,400 locations.",
        _body(
            "The national broadband map showed most of our east side as served. Residents and libraries told "
            "a different story. We needed evidence good enough to challenge the map and steer grant money.",
            [
                "Ran a speed-test campaign through libraries, schools and churches (14,000 tests).",
                "Joined results to the address fabric and flagged locations below 25/3 Mbps.",
                "Sent trained neighborhood navigators to survey 600 flagged households.",
                "Filed bulk challenges with the evidence package described in the attached template.",
            ],
            "The FCC accepted challenges for 3,400 locations, which became eligible for state BEAD funding.",
            [
                "Partner with trusted local institutions: test participation tripled when libraries asked.",
                "Keep raw data private and publish only aggregates; households shared more as a result.",
            ],
        ),
    ),
    (
        "phoenix-heat-sensor-network",
        "Neighborhood heat-sensor network for cooling-center planning",
        "arizona", "admin", "case-study", ["sustainability", "connectivity"],
        ["heat", "IoT sensors", "LoRaWAN", "public health", "open data"],
        "production", "City of Phoenix", "federal", PUBLIC, 20,
        "Two hundred low-cost temperature sensors on LoRaWAN showed that some neighborhoods run 7°F hotter "
        "than the airport reading. The data moved two cooling centers and now drives heat-alert outreach.",
        _body(
            "Heat is the deadliest weather hazard in Arizona. The official temperature comes from one station "
            "at the airport, which tells us little about a bus stop in Maryvale.",
            [
                "Mounted 200 sensors on streetlight poles using our existing LoRaWAN gateways.",
                "Published readings every 10 minutes to the open-data portal.",
                "Overlaid temperatures with bus-stop shade, age of residents and cooling-center locations.",
            ],
            "Hot spots ran up to 7°F above the airport. Two cooling centers moved, and heat-alert text "
            "messages now target the hottest blocks first.",
            [
                "Calibrate sensors in shade-box enclosures; early readings in direct sun were useless.",
                "Share the data openly: universities did analysis we could not afford.",
            ],
        ),
    ),
    (
        "vendor-evaluation-parking-sensors",
        "Vendor evaluation: in-ground vs. camera-based parking sensors",
        "florida", "member2", "vendor-evaluation", ["transportation"],
        ["parking", "curb management", "sensors", "vendor evaluation"],
        "pilot", "City of Tampa", "local", MEMBERS, 75,
        "We ran four parking-sensor vendors side by side for six months on the same downtown blocks. Camera "
        "systems were more accurate and cheaper to maintain; in-ground pucks failed in flooding.",
        _body(
            "Downtown merchants wanted real-time parking availability. Vendors all claimed 95%+ accuracy. "
            "We tested that claim on the same 120 spaces.",
            [
                "Installed two in-ground puck systems and two camera-based systems on the same blocks.",
                "Collected ground truth with hourly manual counts for 60 days.",
                "Tracked maintenance calls, battery failures and flood outages.",
            ],
            "Cameras reached 96–98% accuracy; pucks 84–91%, dropping after tropical storms. Five-year "
            "total cost of ownership favored cameras by 35%.",
            [
                "Test vendors on your own streets: lab accuracy numbers did not survive our weather.",
                "Write privacy requirements (on-device processing, no stored images) into the pilot agreement.",
            ],
        ),
    ),
    (
        "ransomware-tabletop-exercise-kit",
        "Ransomware tabletop exercise kit for city leadership",
        "north-texas", "member2", "playbook", ["cybersecurity"],
        ["tabletop exercise", "ransomware", "continuity of operations", "training"],
        "scaled", "City of Plano", "local", MEMBERS, 15,
        "A three-hour facilitated exercise, with injects, role cards and an after-action template, that walks "
        "department heads through the first 72 hours of a ransomware attack. Run in nine cities so far.",
        _body(
            "Our incident-response plan was written by IT for IT. When we asked department heads who decides "
            "whether to pay a ransom, nobody knew.",
            [
                "Wrote a scenario based on a real attack on a Texas city, with injects every 20 minutes.",
                "Gave each participant a role card: city manager, communications, legal, finance, 911.",
                "Captured decisions and gaps in an after-action report with owners and due dates.",
            ],
            "Twenty-three gaps found in the first run, from out-of-date paper phone trees to no offline copy "
            "of payroll. Eighteen are closed.",
            [
                "Run it for leaders, not technicians: the hardest decisions are not technical.",
                "Invite your insurer and the FBI field office; their presence changes the conversation.",
            ],
        ),
    ),
    (
        "ev-fleet-transition-funding-model",
        "Funding model for a municipal EV fleet transition",
        "colorado", "member2", "revenue-model", ["sustainability", "transportation"],
        ["electric vehicles", "fleet", "charging", "state grant", "total cost of ownership"],
        "production", "City of Fort Collins", "state", PUBLIC, 90,
        "How Fort Collins combined state grants, utility rebates and a fuel-savings revolving fund to replace "
        "62 light-duty vehicles with EVs at no net increase to department budgets.",
        _body(
            "Our climate plan calls for a zero-emission light-duty fleet by 2030. Departments feared the "
            "higher sticker price would come out of their operating budgets.",
            [
                "Built a total-cost-of-ownership model per vehicle class (attached spreadsheet).",
                "Stacked Colorado ALT Fleet grants with utility make-ready rebates for chargers.",
                "Created a revolving fund: fuel and maintenance savings repay the fund over six years.",
            ],
            "Sixty-two vehicles replaced; the fund is on track to be repaid a year early.",
            [
                "Show departments the TCO per vehicle, not the fleet-wide average.",
                "Put chargers in before the vehicles arrive: delivery was faster than electrical work.",
            ],
        ),
    ),
    (
        "digital-navigator-program",
        "Digital navigators: one-on-one help getting residents online",
        "kc-digital-drive", "admin", "case-study", ["connectivity"],
        ["digital inclusion", "digital navigators", "affordable connectivity", "libraries"],
        "scaled", "Kansas City metro", "philanthropy", PUBLIC, 120,
        "Trained navigators at libraries and community centers helped 5,200 residents get affordable internet, "
        "a device and basic skills. The program model, training curriculum and intake forms are attached.",
        _body(
            "Free or discounted internet plans went unused because signing up was hard and people did not have "
            "devices or skills.",
            [
                "Hired twelve navigators from the neighborhoods they serve.",
                "Set up walk-in hours at eight libraries and a phone line.",
                "Tracked outcomes: enrollment, device received, skills session completed.",
            ],
            "5,200 residents helped in 18 months; 71% enrolled in a low-cost plan, 64% received a device.",
            [
                "Hire from the community; trust is the whole program.",
                "Measure outcomes, not sessions: funders renewed because we could show enrollments.",
            ],
        ),
    ),
    (
        "smart-water-meter-leak-alerts",
        "Smart water meters with residential leak alerts",
        "arizona", "member1", "case-study", ["sustainability"],
        ["water", "AMI", "smart meters", "leak detection", "conservation"],
        "production", "City of Chandler", "local", MEMBERS, 100,
        "An advanced metering rollout that texts residents when usage suggests a leak. Average leak duration "
        "fell from 24 days to 4, saving an estimated 180 million gallons a year.",
        _body(
            "In the desert every gallon matters, yet leaks went unnoticed until a monthly bill arrived.",
            [
                "Replaced 78,000 meters with AMI meters reading hourly.",
                "Flagged continuous flow for 24 hours as a probable leak.",
                "Let residents opt in to text and email alerts through the utility portal.",
            ],
            "Leak duration fell from 24 to 4 days on average; customer complaints about high bills fell 40%.",
            [
                "Start alerts with opt-in; opt-out produced complaints about false positives early on.",
                "Give customer service a script and a dashboard before the first alert goes out.",
            ],
        ),
    ),
    (
        "open-data-policy-ordinance",
        "Open data ordinance with a privacy review step",
        "illinois", "admin", "policy", ["connectivity", "cybersecurity"],
        ["open data", "privacy", "ordinance", "data governance"],
        "production", "City of Evanston", "", PUBLIC, 200,
        "Our ordinance makes city data open by default, requires a privacy review before publication, and sets "
        "a yearly inventory. Model language and the privacy-review checklist are attached.",
        _body(
            "Departments published data inconsistently and feared publishing personal information by mistake.",
            [
                "Drafted the ordinance with the city attorney, modeled on the Sunlight Foundation guidelines.",
                "Added a privacy-impact checklist that every dataset passes before publication.",
                "Named data stewards in each department and a yearly inventory deadline.",
            ],
            "184 datasets published in the first year, with no privacy incidents.",
            ["Open by default only works with a clear, fast privacy review; otherwise nobody publishes."],
        ),
    ),
    (
        "curb-management-loading-zones",
        "Smart loading zones: bookable curb space for deliveries",
        "colorado", "admin", "case-study", ["transportation"],
        ["curb management", "freight", "loading zones", "parking"],
        "pilot", "City of Boulder", "local", PUBLIC, 40,
        "Delivery drivers booked 15-minute slots in 20 downtown loading zones through an app. Double parking "
        "fell by half on pilot blocks, and zone turnover doubled.",
        _body(
            "Delivery vehicles double-parked on Pearl Street because loading zones were full of cars.",
            [
                "Converted 20 loading zones to bookable smart zones with signage and camera enforcement.",
                "Gave delivery companies free bookings for the first three months.",
                "Compared double-parking counts against control blocks.",
            ],
            "Double parking fell 52%; zone turnover doubled; 80% of drivers said they would keep using it.",
            ["Work with the big carriers first; independent couriers followed once zones were reliably free."],
        ),
    ),
    (
        "public-wifi-concession-agreement",
        "Public Wi-Fi concession agreement for parks and plazas",
        "florida", "member1", "rfp-template", ["connectivity"],
        ["public Wi-Fi", "concession", "parks", "contract"],
        "production", "City of Orlando", "ppp", MEMBERS, 150,
        "A concession agreement under which a provider builds and runs free Wi-Fi in 35 parks in exchange for "
        "limited sponsorship rights. Zero capital cost to the city; the contract is attached.",
        _body(
            "Residents asked for Wi-Fi in parks, but we had no capital budget for it.",
            [
                "Issued an RFP for a concession: provider builds, operates and maintains the network.",
                "Allowed a sponsor splash page but no data collection beyond what operations need.",
                "Set minimum speeds, uptime and a right to audit.",
            ],
            "35 parks connected in nine months at no capital cost to the city.",
            ["Define what the sponsor may not do (sell data, track devices) before you negotiate."],
        ),
    ),
    (
        "autonomous-shuttle-pilot-lessons",
        "Autonomous shuttle pilot: what 14 months of service taught us",
        "florida", "admin", "case-study", ["transportation"],
        ["autonomous vehicles", "shuttle", "first mile last mile", "pilot"],
        "pilot", "Miami-Dade County", "federal", PUBLIC, 210,
        "A low-speed autonomous shuttle carried 38,000 riders on a 2-mile loop. Ridership was strong; reliability "
        "and the need for an onboard attendant made it costlier per rider than an on-demand van.",
        _body(
            "We wanted to test whether autonomous shuttles could fill first-mile gaps to rail stations.",
            [
                "Ran a 2-mile loop between a Metrorail station and a medical campus, 7 am to 7 pm.",
                "Kept an attendant on board as required by the operating permit.",
                "Surveyed riders monthly and logged every disengagement.",
            ],
            "38,000 riders, 94% satisfaction, but cost per rider was 3.4 times that of our on-demand van.",
            ["Compare against a realistic alternative (on-demand vans), not against doing nothing."],
        ),
    ),
    (
        "security-awareness-training-consortium",
        "Shared security-awareness training for small municipalities",
        "kc-digital-drive", "member2", "revenue-model", ["cybersecurity"],
        ["security awareness", "phishing", "training", "shared services"],
        "scaled", "Unified Government of Wyandotte County", "state", PUBLIC, 80,
        "Fourteen small cities pooled their purchase of phishing simulations and training. Per-user cost fell "
        "from $38 to $9 a year and phishing click rates fell from 21% to 4%.",
        _body(
            "Small cities could not afford enterprise security-awareness training, and they were the ones "
            "being phished.",
            [
                "Formed a purchasing consortium through the regional council of governments.",
                "Ran monthly phishing simulations with shared templates and results.",
                "Reported click rates by city to the council every quarter.",
            ],
            "Per-user cost fell by three quarters; click rates fell from 21% to 4% in a year.",
            ["Quarterly reporting by city created friendly competition between mayors."],
        ),
    ),
    (
        "streetlight-led-retrofit-performance-contract",
        "LED streetlight retrofit through an energy-performance contract",
        "illinois", "member2", "revenue-model", ["sustainability"],
        ["LED streetlights", "energy performance contract", "energy savings"],
        "scaled", "Village of Schaumburg", "ppp", MEMBERS, 300,
        "An energy-performance contract replaced 6,800 streetlights with LEDs and adaptive controls, paid "
        "entirely from guaranteed energy savings over twelve years.",
        _body(
            "Our streetlights used 60% of the village's electricity.",
            [
                "Procured an energy service company through a qualifications-based selection.",
                "Required a measurement-and-verification plan with annual savings guarantees.",
                "Added networked controls so lights dim after midnight on residential streets.",
            ],
            "Energy use fell 64%; savings exceeded the guarantee in each of the first three years.",
            ["Insist on independent measurement and verification; the guarantee is only as good as the M&V."],
        ),
    ),
    (
        "traffic-safety-near-miss-analytics",
        "Near-miss analytics from traffic cameras for Vision Zero",
        "north-texas", "member1", "vendor-evaluation", ["transportation"],
        ["Vision Zero", "traffic safety", "computer vision", "near misses"],
        "pilot", "City of Arlington", "federal", PUBLIC, 25,
        "Video analytics on existing traffic cameras counted near misses between cars and pedestrians at 30 "
        "intersections. We compare three vendors and show how the data changed our safety priorities.",
        _body(
            "Crash data arrives months late and only after someone is hurt. Near misses happen every day.",
            [
                "Evaluated three computer-vision vendors on the same 30 intersections for 90 days.",
                "Required processing on our own servers with no video leaving the city network.",
                "Validated detections against manual review of 500 clips.",
            ],
            "Two intersections with few crashes had the most near misses; both now have leading pedestrian "
            "intervals.",
            ["Validation against manual review is essential: one vendor's counts were 40% too high."],
        ),
    ),
    (
        "flood-sensor-network-sea-level-rise",
        "Flood sensors and sea-level-rise alerts for streets",
        "florida", "admin", "case-study", ["sustainability", "connectivity"],
        ["flooding", "sea level rise", "IoT sensors", "alerts", "resilience"],
        "production", "Miami-Dade County", "federal", PUBLIC, 55,
        "Ninety water-level sensors in low-lying streets send alerts when king tides or storms flood roads. "
        "Public works now closes streets and deploys pumps before residents call.",
        _body(
            "King-tide flooding closes the same streets every fall, yet crews learned of it from residents.",
            [
                "Installed ultrasonic water-level sensors at 90 storm drains.",
                "Sent alerts to public works and posted live maps for residents.",
                "Fed readings into the county's sea-level-rise planning model.",
            ],
            "Response time to street flooding fell from hours to minutes.",
            ["Choose sensors you can clean from the street: drains fill with debris."],
        ),
    ),
    (
        "procurement-cybersecurity-requirements",
        "Cybersecurity requirements for every technology procurement",
        "arizona", "member2", "policy", ["cybersecurity"],
        ["procurement", "vendor risk", "SOC 2", "contract language"],
        "production", "City of Flagstaff", "", MEMBERS, 140,
        "Standard contract language and a vendor questionnaire that every technology purchase must pass. "
        "It replaced ad-hoc reviews and caught two vendors without basic multi-factor authentication.",
        _body(
            "IT reviewed security only for purchases it knew about. Departments bought SaaS on credit cards.",
            [
                "Wrote tiered requirements by data sensitivity (public, internal, confidential).",
                "Added a short vendor questionnaire and required SOC 2 reports for confidential data.",
                "Made purchasing route every technology purchase through the review.",
            ],
            "Reviews now take five business days on average; two vendors were turned down.",
            ["Tier the requirements; one heavy checklist for everything would have been ignored."],
        ),
    ),
    (
        "rural-fixed-wireless-partnership",
        "Fixed wireless for rural households through a co-op partnership",
        "colorado", "member1", "revenue-model", ["connectivity"],
        ["rural broadband", "fixed wireless", "cooperative", "middle mile"],
        "production", "Adams County", "state", MEMBERS, 180,
        "The county leased tower space and county-owned fiber to an electric co-op, which now serves 2,100 rural "
        "households with 100 Mbps fixed wireless. Lease income covers the county's fiber maintenance.",
        _body(
            "Eastern Adams County had households twenty miles from the nearest cable plant.",
            [
                "Inventoried county towers, water tanks and fiber.",
                "Offered long-term leases to providers in exchange for service commitments.",
                "Used a state broadband grant to extend fiber to three towers.",
            ],
            "2,100 households connected; the co-op plans to reach 4,000.",
            ["Your towers and fiber are assets: lease them for service commitments, not just cash."],
        ),
    ),
    (
        "bike-share-equity-pricing",
        "Equity pricing for bike share and scooters",
        "illinois", "member1", "policy", ["transportation"],
        ["micromobility", "bike share", "equity", "permits"],
        "production", "City of Peoria", "local", PUBLIC, 95,
        "Permit conditions that require operators to offer reduced fares, cash payment and distribution in "
        "low-income neighborhoods. Rides in those neighborhoods grew from 6% to 22% of the total.",
        _body(
            "Scooters clustered downtown and near the university.",
            [
                "Wrote equity requirements into the operator permit.",
                "Required monthly data reports using the Mobility Data Specification.",
                "Set fines for missing distribution targets.",
            ],
            "Equity-zone rides grew from 6% to 22% of all rides within a year.",
            ["Put equity requirements in the permit, with data to check them, or they will not happen."],
        ),
    ),
    (
        "building-energy-benchmarking",
        "Building energy benchmarking for city-owned facilities",
        "kc-digital-drive", "member1", "case-study", ["sustainability"],
        ["energy benchmarking", "buildings", "ENERGY STAR", "utility data"],
        "scaled", "Kansas City, Missouri", "local", PUBLIC, 250,
        "We benchmarked 240 city buildings in ENERGY STAR Portfolio Manager using automated utility data feeds, "
        "then targeted the worst 20 for retrofits. Energy use in those buildings fell 27%.",
        _body(
            "We did not know which of our buildings wasted the most energy.",
            [
                "Set up automated monthly data transfer from both utilities.",
                "Benchmarked every building over 10,000 square feet.",
                "Ranked buildings by energy-use intensity and targeted the worst 20.",
            ],
            "Energy use in the 20 targeted buildings fell 27% in two years.",
            ["Automate the utility data first; manual entry collapsed after three months."],
        ),
    ),
    (
        "311-chatbot-vendor-evaluation",
        "311 chatbot: vendor evaluation and lessons from launch",
        "north-texas", "admin", "vendor-evaluation", ["connectivity"],
        ["311", "chatbot", "customer service", "AI"],
        "pilot", "City of Dallas", "local", MEMBERS, 35,
        "We tested three conversational-AI vendors on 2,000 real 311 questions. The winner answered 61% "
        "without an agent; we document the evaluation rubric, accessibility tests and guardrails.",
        _body(
            "Call waits for 311 exceeded ten minutes at peak.",
            [
                "Built a test set of 2,000 anonymized real questions in English and Spanish.",
                "Scored vendors on correct answers, safe refusals and accessibility.",
                "Required every answer to cite the city web page it came from.",
            ],
            "The chosen vendor answered 61% of questions without an agent; peak waits fell to four minutes.",
            ["Test in Spanish from the start; two vendors' Spanish answers were far worse."],
        ),
    ),
    (
        "air-quality-sensors-schools",
        "Low-cost air-quality sensors at schools",
        "colorado", "admin", "case-study", ["sustainability"],
        ["air quality", "PM2.5", "schools", "IoT sensors", "open data"],
        "pilot", "City of Boulder", "philanthropy", PUBLIC, 8,
        "Forty PM2.5 sensors at schools show wildfire smoke arriving hours before the regulatory monitor. "
        "Schools now use the readings to decide on indoor recess.",
        _body(
            "Wildfire smoke days are rising, and one regulatory monitor covers the whole county.",
            [
                "Placed sensors at 40 schools, co-located three with the regulatory monitor for calibration.",
                "Built a simple dashboard with color-coded guidance for principals.",
            ],
            "Schools acted on smoke an average of three hours earlier.",
            ["Co-locate a few sensors with a reference monitor and correct for humidity."],
        ),
    ),
    (
        "cyber-insurance-readiness-checklist",
        "Cyber-insurance readiness checklist",
        "florida", "member2", "playbook", ["cybersecurity"],
        ["cyber insurance", "MFA", "backups", "checklist"],
        "production", "City of Orlando", "", MEMBERS, 65,
        "Insurers now require multi-factor authentication, offline backups and endpoint detection before they "
        "renew. This checklist maps each underwriting question to the control and the evidence to show.",
        _body(
            "Our premium tripled and the insurer's questionnaire grew to 14 pages.",
            [
                "Mapped every underwriting question to a control and an owner.",
                "Collected evidence (screenshots, policies, test results) in one folder per control.",
            ],
            "Renewal went through with a 20% lower premium than first quoted.",
            ["Start three months before renewal; some controls take weeks to deploy."],
        ),
    ),
    (
        "regional-fiber-ring-interlocal-agreement",
        "Regional fiber ring through an interlocal agreement",
        "arizona", "member1", "policy", ["connectivity"],
        ["fiber", "interlocal agreement", "middle mile", "shared infrastructure"],
        "scaled", "City of Chandler", "local", PUBLIC, 400,
        "Five cities share a 120-mile fiber ring under one interlocal agreement covering construction, "
        "maintenance, cost sharing and dark-fiber leasing.",
        _body(
            "Each city was building its own fiber along the same roads.",
            [
                "Negotiated an interlocal agreement with cost shares by strand count.",
                "Coordinated construction with road projects to avoid separate trenching.",
                "Created a joint committee for dark-fiber leasing decisions.",
            ],
            "Construction cost fell an estimated 40% versus separate builds.",
            ["Agree on how to split lease revenue before anyone asks to lease a strand."],
        ),
    ),
    (
        "traffic-signal-timing-optimization",
        "Adaptive traffic-signal timing on arterial corridors",
        "illinois", "member1", "case-study", ["transportation", "sustainability"],
        ["traffic signals", "adaptive signal control", "emissions"],
        "production", "City of Evanston", "state", PUBLIC, 160,
        "Adaptive signal control on three corridors cut travel time 12% and stops 25%, with an estimated 900 "
        "tons less CO₂ per year.",
        _body(
            "Signal timing plans were ten years old.",
            [
                "Installed adaptive controllers and detection on 42 intersections.",
                "Measured travel times with probe data before and after.",
            ],
            "Travel time fell 12%, stops 25%.",
            ["Retime conventional signals first; adaptive control is not worth it everywhere."],
        ),
    ),
    (
        "community-solar-subscription-model",
        "Community solar subscriptions for low-income households",
        "colorado", "member2", "revenue-model", ["sustainability"],
        ["community solar", "energy equity", "subscriptions"],
        "idea", "City of Fort Collins", "state", MEMBERS, 5,
        "A proposal, with a draft term sheet, for a city-hosted community solar garden reserving half its "
        "subscriptions for income-qualified households at a guaranteed 20% bill saving. Looking for partners.",
        _body(
            "Renters and low-income households cannot put solar on a roof they do not own.",
            [
                "Identified three city-owned sites suitable for a 2 MW solar garden.",
                "Drafted a term sheet with a developer guaranteeing savings for income-qualified subscribers.",
            ],
            "Not built yet: we are looking for cities that have done this to compare terms.",
            ["Tell us what worked for you."],
        ),
    ),
    (
        "e-scooter-data-sharing-agreement",
        "Mobility data-sharing agreement for scooter operators",
        "north-texas", "member1", "rfp-template", ["transportation", "cybersecurity"],
        ["Mobility Data Specification", "data sharing", "privacy", "micromobility"],
        "production", "City of Arlington", "", PUBLIC, 110,
        "Contract language requiring operators to share trip data through the Mobility Data Specification, with "
        "privacy protections: aggregation, retention limits and no sharing with law enforcement without a warrant.",
        _body(
            "We needed trip data to manage the curb, without building a surveillance database.",
            [
                "Required MDS feeds with trip start and end points rounded to the block.",
                "Limited raw-data retention to 90 days and published only aggregates.",
            ],
            "Four operators signed; the data now guides where we paint scooter corrals.",
            ["Write the privacy rules into the contract, not just a policy page."],
        ),
    ),
    (
        "library-hotspot-lending",
        "Library hotspot lending program",
        "illinois", "admin", "case-study", ["connectivity"],
        ["hotspots", "libraries", "digital inclusion", "lending"],
        "scaled", "City of Peoria", "federal", PUBLIC, 230,
        "Libraries lend 500 mobile hotspots for three weeks at a time. Waiting lists shrank after we added "
        "renewals for students and job seekers.",
        _body(
            "Many households relied on phones alone for internet access.",
            [
                "Bought 500 hotspots with unlimited data plans through a federal program.",
                "Lent them like books, with priority renewals for students and job seekers.",
            ],
            "Devices are out 92% of the time; 40% of borrowers had no other home internet.",
            ["Budget for replacements: about 8% a year are lost or broken."],
        ),
    ),
]

# (practice slug, adopting coalition, stage, notes, outcome)
ADOPTIONS = [
    ("cybersecurity-incident-response-rfp-template", "north-texas", "adopted",
     "Used the scope as written; changed the response commitment to two hours for smaller cities.",
     "Awarded in four months instead of the usual nine."),
    ("cybersecurity-incident-response-rfp-template", "kc-digital-drive", "piloting",
     "Adapted for a consortium of eight small cities.", ""),
    ("broadband-mapping-playbook", "arizona", "adopted",
     "Added tribal-land address data and worked with chapter houses instead of libraries.",
     "Challenge accepted for 1,100 locations."),
    ("broadband-mapping-playbook", "illinois", "exploring", "", ""),
    ("ransomware-tabletop-exercise-kit", "colorado", "adopted",
     "Ran it with the Colorado Department of Public Safety as observers.", "Fourteen gaps found, nine closed."),
    ("phoenix-heat-sensor-network", "florida", "piloting",
     "Using the same sensor model for heat and humidity at bus stops.", ""),
    ("digital-navigator-program", "north-texas", "adopted",
     "Navigators work out of recreation centers as well as libraries.", "2,300 residents helped in the first year."),
    ("ev-fleet-transition-funding-model", "arizona", "exploring", "", ""),
    ("connected-vehicle-pilot-signal-priority", "florida", "exploring",
     "Looking at the same approach for the Tampa streetcar corridor.", ""),
]

# (practice slug, coalition of the commenter, member index or "admin", body)
COMMENTS = [
    ("cybersecurity-incident-response-rfp-template", "florida", "admin",
     "Did your insurer accept the retainer firm even though it was not on their panel list?"),
    ("cybersecurity-incident-response-rfp-template", "illinois", 0,
     "Yes: we sent them the draft scope first and they added the firm to our policy by endorsement."),
    ("broadband-mapping-playbook", "colorado", 1,
     "How did you handle households that declined the survey? Did you count them as unserved?"),
    ("broadband-mapping-playbook", "kc-digital-drive", 0,
     "We did not count them either way; the challenge relied only on speed tests plus completed surveys."),
    ("dallas-call-for-solutions-revenue-models", "arizona", "admin",
     "Would you share the scoring rubric? We are drafting a similar call for smart poles."),
    ("dallas-call-for-solutions-revenue-models", "north-texas", "admin",
     "It is in the attachments of the call; I will post the final version with weights here next week."),
    ("phoenix-heat-sensor-network", "illinois", 1,
     "What did each sensor cost installed, including the pole bracket?"),
    ("connected-vehicle-pilot-signal-priority", "north-texas", 1,
     "Did you see any conflicts with emergency-vehicle preemption at the same intersections?"),
    ("community-solar-subscription-model", "kc-digital-drive", 0,
     "Kansas City is six months into a similar program. Happy to share our subscriber agreement."),
    ("ransomware-tabletop-exercise-kit", "illinois", "admin",
     "We ran this with our village board last month. The payroll inject was the eye-opener."),
]


# (practice slug, coalition of the reporter, member index, reason, details): the moderation queue's example.
REPORTS = [
    ("311-chatbot-vendor-evaluation", "florida", 0, "misleading",
     "The 61% figure seems to count answers that only link to a web page. Worth a check before others cite it."),
]
# fmt: on


def _person(people, coalition_slug: str, who):
    if who == "admin":
        return people.admins[coalition_slug]
    index = {"member1": 0, "member2": 1}.get(who, who)
    return people.members[coalition_slug][index]


def seed(*, people, stdout) -> dict[str, Practice]:
    """Create the focus areas, ~30 practices, adoptions and comments. Returns slug -> Practice."""
    _defaults.create_defaults(django_apps, None)
    areas = {area.slug: area for area in FocusArea.objects.all()}
    kinds = {kind.slug: kind for kind in PracticeKind.objects.all()}
    now = timezone.now()
    practices, created_ids = {}, []
    for row in PRACTICES:
        (slug, title, coalition_slug, author, kind, focus, tags, maturity, jurisdiction, funding, visibility) = row[:11]
        days_ago, summary, body = row[11:]
        published_at = now - timedelta(days=days_ago)
        practice, created = Practice.objects.get_or_create(
            slug=slug,
            defaults={
                "title": title,
                "summary": summary,
                "body": body,
                "kind": kinds[kind],
                "maturity": maturity,
                "jurisdiction": jurisdiction,
                "funding_source": funding,
                "coalition": people.coalitions[coalition_slug],
                "author": _person(people, coalition_slug, author),
                "contact": _person(people, coalition_slug, author),
                "status": Practice.Status.PUBLISHED,
                "visibility": visibility,
                "created": published_at - timedelta(days=3),
                "published_at": published_at,
            },
        )
        if created:
            practice.focus_areas.set([areas[s] for s in focus])
            practice.tags.set([t.lower() for t in tags])
            # Spread "recently updated" like a real portal's history (auto_now set it to now).
            Practice.objects.filter(pk=practice.pk).update(updated=published_at + timedelta(days=days_ago // 3))
            created_ids.append(practice.pk)
        practices[slug] = practice
    index_practices(practice_ids=created_ids)

    for slug, coalition_slug, stage, notes, outcome in ADOPTIONS:
        Adoption.objects.get_or_create(
            practice=practices[slug],
            coalition=people.coalitions[coalition_slug],
            defaults={
                "stage": stage,
                "notes": notes,
                "outcome": outcome,
                "created_by": people.admins[coalition_slug],
            },
        )
    for slug, coalition_slug, who, body in COMMENTS:
        Comment.objects.get_or_create(practice=practices[slug], author=_person(people, coalition_slug, who), body=body)
    for slug, coalition_slug, who, reason, details in REPORTS:
        Report.objects.get_or_create(
            practice=practices[slug],
            comment=None,
            reporter=_person(people, coalition_slug, who),
            defaults={"reason": reason, "details": details},
        )
    stdout.write(f"Practices: {len(practices)} ({len(created_ids)} new); focus areas: {len(areas)}.")
    return practices
