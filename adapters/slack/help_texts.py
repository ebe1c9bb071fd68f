"""The organisers' part of `/penpals help` (members' part: commands.MEMBER_HELP)."""

# Organisers' commands stay in English (the organisers' working language).
ORGANISER_HELP = """*Organisers*
• `/penpals round create NAME [opens=YYYY-MM-DD] [closes=…] [starts=…] [ends=…] [cadence=14]`
• `/penpals round open|close|start|finish NAME`
• `/penpals round status [NAME]`, `/penpals round list`
• `/penpals review [NAME]`: approve, decline or waitlist applications
• `/penpals review NAME status=pending country=FI,SE sector=… stage=… name=… page=2`: \
ten a page, with approve / decline / waitlist of the whole filtered set
• penpals' *Home* tab: the same review with menus, a name search and pages
• `/penpals round preview NAME`, `/penpals round publish NAME`
• `/penpals round swap NAME @a @b`, `round split NAME 3`, `round pair NAME @a @b [@c]`
• `/penpals round rematch NAME`: pair again those left alone after a withdrawal
• `/penpals round audit NAME`: who decided, edited or published what, and when
• `/penpals round edit NAME [opens=…] [closes=…] [starts=…] [ends=…] [cadence=14]`
• `/penpals topics NAME [LANG]`: a round's topics, their dates and languages
• `/penpals topic NAME N LANG title | prompt`: edit a round's topic in one language \
(without the text: a form with its title, prompt and questions)
• `/penpals topic NAME add [at=N] LANG title | prompt`, `/penpals topic NAME remove N`
• `/penpals survey NAME show [mid|end]`, `survey NAME reset mid|end`, \
`survey NAME dates mid|end opens=YYYY-MM-DD closes=YYYY-MM-DD`
• `/penpals survey NAME edit mid|end KEY [wording] [options=a; b] [required=yes|no]` \
(or `… KEY remove`), `survey NAME add mid|end KEY scale|choice|multi|text wording [options=…]`
• `/penpals announce TEXT`, `/penpals broadcast NAME pairs|applicants TEXT` (each sent once)
• `/penpals export NAME applications|pairs|audit [status=approved]`: the CSV file, in your \
direct messages
• `/penpals round silent [NAME]`: pairs silent for two weeks or more (counts only)
• `/penpals report [NAME]`: the round's figures and charts, posted in the organisers' channel
• `/penpals setup [announcements #channel] [community #channel] [alerts #channel] \
[organisers @group] [language en] [pair-mode private|group-dm] [hours 2] [cap 20%] \
[pairing country|institution|region] \
[contact=@someone or an address] [guidance=your own words, to the end]`"""
