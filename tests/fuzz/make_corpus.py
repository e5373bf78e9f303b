#!/usr/bin/env python3
"""make_corpus.py - writes the seed corpus of the fuzz targets into corpus/<target>/.

Run from anywhere; rewrites the seeds it makes (other files in corpus/ are left alone, so
inputs worth keeping can be added by hand). The seeds are small and meaningful: requests,
forms and JSON bodies the HTTP tests send, people CSV files in UTF-8 and GB18030 (encoded
with iconv, the converter the importer itself uses), a slice of each Pol.is conversation
in tests/data/polis, Markdown, and Mustache templates from tests/data/mustache-spec.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, 'corpus')


def put(target, name, data):
    if target == 'route':  # the whole-request target starts from the same requests
        put('http', name, data)
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode('utf-8')
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def gb18030(text):
    return subprocess.run(['iconv', '-f', 'UTF-8', '-t', 'GB18030'], input=text.encode(),
                          capture_output=True, check=True).stdout


# --- route: request line, headers, body ---
def req(method, target, headers=(), body=''):
    lines = [f'{method} {target} HTTP/1.1', 'Host: 127.0.0.1'] + list(headers)
    if body:
        lines.append(f'Content-Length: {len(body.encode())}')
    return '\r\n'.join(lines) + '\r\n\r\n' + body


put('route', 'health', req('GET', '/api/v1/health'))
put('route', 'head_health', req('HEAD', '/api/v1/health'))
put('route', 'login_json', req('POST', '/api/v1/login', ['Content-Type: application/json'],
                               '{"username":"organizer","password":"shenliao-demo"}'))
put('route', 'me_bearer', req('GET', '/api/v1/me', ['Authorization: Bearer @TOKEN@']))
put('route', 'me_cookie', req('GET', '/api/v1/me', ['Cookie: sl_lang=en; sl_session=@SESSION@']))
put('route', 'org_patch_csrf', req('PATCH', '/api/v1/orgs/12', [
    'Cookie: sl_session=@SESSION@', 'X-CSRF-Token: @CSRF@',
    'Content-Type: application/json; charset=utf-8'], '{"name":"改名"}'))
put('route', 'org_abc', req('GET', '/api/v1/orgs/abc'))
put('route', 'orgs_limit', req('GET', '/api/v1/orgs?limit=500&cursor=x1'))
put('route', 'people_import', req('POST', '/api/v1/people/import', [
    'Authorization: Bearer @TOKEN@', 'Content-Type: text/csv'], '姓名,类别\n甲,member\n'))
put('route', 'session_transition', req('POST', '/api/v1/sessions/6/transition', [
    'Content-Type: application/json'], '{"to":"live"}'))
put('route', 'session_pdf', req('GET', '/outputs/7.pdf'))
put('route', 'stats_csv', req('GET', '/api/v1/stats.csv?year=2024&quarter=2'))
put('route', 'no_such', req('GET', '/api/v1/no-such-thing'))
put('route', 'method_405', req('DELETE', '/api/v1/orgs'))
put('route', 'percent_path', req('GET', '/api/v1/people/%31%32'))
put('route', 'login_form_anon', req('POST', '/login', [
    'Content-Type: application/x-www-form-urlencoded', 'Cookie: sl_csrf=abc123',
    'X-CSRF-Token: abc123'], 'csrf_token=abc123&username=organizer&password=x'))
put('route', 'static', req('GET', '/static/style.css', ['If-None-Match: "x"']))
put('route', 'join_vote', req('POST', '/join/4/vote', [
    'Content-Type: application/x-www-form-urlencoded', 'Cookie: sl_anon=0123'],
    'statement=3&vote=1'))
put('route', 'vote_api', req('POST', '/api/v1/statements/999999/vote', [
    'Content-Type: application/json'], '{"vote":-1}'))

# whole requests only (the http target): signed-in pages and API calls, chunked bodies
BEARER = 'Authorization: Bearer @TOKEN@'
JSON = 'Content-Type: application/json'
put('http', 'people_create', req('POST', '/api/v1/people', [BEARER, JSON],
                                  '{"name":"模糊","category":"expert","phone":"0755-1"}'))
put('http', 'topic_create', req('POST', '/api/v1/topics', [BEARER, JSON],
                                 '{"title":"养老","domain":"society","description":"# 说明\\n*一*"}'))
put('http', 'sessions_list', req('GET', '/api/v1/sessions?year=2024&limit=5', [BEARER]))
put('http', 'search', req('GET', '/api/v1/search?q=%E5%85%BB%E8%80%81', [BEARER]))
put('http', 'pages_cookie', req('GET', '/people?q=%E5%BC%A0&limit=2', ['Cookie: sl_session=@SESSION@; sl_lang=en']))
put('http', 'person_form', req('POST', '/people/new', [
    'Cookie: sl_session=@SESSION@', 'Content-Type: application/x-www-form-urlencoded'],
    'csrf_token=@CSRF@&name=%E8%A1%A8&category=member&public_name=1'))
put('http', 'import_csv', req('POST', '/api/v1/people/import', [BEARER, 'Content-Type: text/csv'],
                               '姓名,类别,电话\n甲,member,1\n乙,国王,\n'))
put('http', 'chunked', 'POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
    'Transfer-Encoding: chunked\r\n\r\n5\r\n{"use\r\n0\r\n\r\n')
put('http', 'too_big', req('POST', '/api/v1/login', [JSON, 'Content-Length: 99999999']))
put('http', 'two_requests', req('GET', '/api/v1/health') + req('GET', '/api/v1/me', [BEARER]))

# --- form: urlencoded bodies of the pages ---
put('form', 'login', 'csrf_token=0f3a&username=organizer&password=shenliao-demo&next=%2Fdashboard')
put('form', 'person_new', 'csrf_token=t&name=%E8%A1%A8%E5%8D%95%E6%96%B0%E4%BA%BA&category=entrepreneur'
    '&sector=%E5%B7%A5%E5%95%86%E8%81%94&phone=0755-1&username=guest&public_name=1')
put('form', 'lists', 'ids=1&ids=2&ids=30&ids_present=1&visible=on&year=2024')
put('form', 'empty_list', 'ids_present=1&title=a+b+c&x=')
put('form', 'bad_escape', 'name=%E8%A1&x=%zz')
put('form', 'odd', '&&=&a&=b&%00=%00&+=+')
put('form', 'bad_utf8', 'name=%FF%FE&title=%C0%AF')

# --- json: API bodies ---
for name, body in {
    'login': {'username': 'organizer', 'password': 'shenliao-demo'},
    'org': {'slug': 'sz-luohu', 'name': '罗湖区政协', 'level': 'district', 'parent_id': 3},
    'user': {'username': 'new-org', 'password': 'password-1', 'role': 'organizer',
             'display_name': '新组织者', 'org_id': 2},
    'session': {'title': '关于养老服务的深聊会', 'topic_id': 4, 'starts_at': '2024-05-03T14:30',
                'visibility': 'public', 'formats': ['joint', 'counterpart'], 'linked_orgs': [5, 6],
                'online': True, 'summary': None},
    'suggestion': {'title': '建议', 'body': '加强统筹', 'proposers': [1, 2],
                   'sources': [{'kind': 'remark', 'id': 9}]},
    'transition': {'to': 'approved', 'note': '', 'year': '2024'},
    'wrong_types': {'title': 123, 'ids': ['a', 1], 'visible': 'yes', 'year': 1.5, 'to': False},
}.items():
    put('json', name, json.dumps(body, ensure_ascii=False))
put('json', 'duplicate', '{"name":"a","name":"b"}')
put('json', 'bad_utf8_value', b'{"title":"ok","body":"\xe4\xb8"}')
put('json', 'bad_utf8_key', b'{"ti\xfftle":"x"}')
put('json', 'long_key_bad_utf8', ('{"' + '键' * 30 + '":"x", "v":"').encode() + b'\xc3"}')
put('json', 'not_object', '[1,2,3]')
put('json', 'nested', '{"a":{"b":[{"c":null}]},"ids":[1,2,3],"n":-9223372036854775808}')

# --- csv and people_import: people files in UTF-8 and GB18030 ---
people = {
    'good': '姓名,类别,界别,专委会,届次,工作单位,职务,电话,邮箱,公开姓名\n'
            '张三,政协委员,经济界,经济委员会,第七届,某公司,总经理,13800000000,zs@example.com,是\n'
            '李四,expert,,,,某大学,教授,,,否\n',
    'english': 'name,category,sector,org,public_name\nAda,member,科技界,district,yes\n',
    'tabs': '姓名\t类别\t工作单位\r\n制表甲\t专家学者\t某大学, 某系\r\n制表乙\tcitizen\t\r\n',
    'quoted': '姓名,类别,工作单位\n"引号, 甲",member,"多行\n单位"\n"说""好""",leader,\n',
    'problems': '姓名,类别,电话,邮箱,所属组织\n,expert,,,\n乙,国王,abc,bad,no-such-org\n丙,member,,,other\n',
    'unknown_column': '姓名,类别,星座\n甲,member,狮子\n',
    'header_only': '姓名,类别\n',
    'unterminated': '姓名,类别\n"甲,member\n',
    'formula': "姓名,类别,职务\n'=SUM(A1),member,'+1\n",
}
for name, text in people.items():
    put('people_import', name + '.utf8.csv', text)
    put('people_import', name + '.gb18030.csv', gb18030(text))
put('people_import', 'good.bom.csv', b'\xef\xbb\xbf' + people['good'].encode())
put('people_import', 'good.utf16.csv', people['good'].encode('utf-16'))
for name in ('good', 'tabs', 'quoted', 'unterminated'):
    put('csv', name + '.utf8.csv', people[name])
    put('csv', name + '.gb18030.csv', gb18030(people[name]))
put('csv', 'bom_spaces.csv', '\ufeff a ,"b "" c",,\r\n\r\nx\ry\n')
put('csv', 'after_quote.csv', '"a"b,c\n')
put('csv', 'utf16.csv', 'a,b\n甲,乙\n'.encode('utf-16'))
put('csv', 'not_gb18030.csv', b'\x80\xff,\x81\n')

# --- polis: votes.csv \f comments.csv \f participants-votes.csv ---
def head_lines(path, n):
    with open(path, encoding='utf-8') as f:
        return ''.join(f.readline() for _ in range(n))


for conv in sorted(os.listdir(os.path.join(ROOT, 'tests/data/polis'))):
    d = os.path.join(ROOT, 'tests/data/polis', conv)
    short = conv.split('.')[0]
    votes = head_lines(os.path.join(d, 'votes.csv'), 120)
    comments = head_lines(os.path.join(d, 'comments.csv'), 12)
    pv = head_lines(os.path.join(d, 'participants-votes.csv'), 6)
    put('polis', short + '_full', votes + '\f' + comments + '\f' + pv)
    put('polis', short + '_votes_only', votes)
put('polis', 'raw_sign', 'timestamp,datetime,comment-id,voter-id,vote\n1,x,0,0,-1\n2,x,0,1,-1\n3,x,1,0,1\n'
    '\fcomment-id,agrees,disagrees,moderated,comment-body\n0,2,0,0,"甲"\n1,0,1,-1,乙\n')
put('polis', 'bad_vote', 'timestamp,datetime,comment-id,voter-id,vote\n1,x,0,0,2\n')
put('polis', 'float_ids', 'timestamp,datetime,comment-id,voter-id,vote\n1.0,x,3.0,4.0,1.0\n')
rec = lambda t, c, v, x: (t.to_bytes(8, 'little', signed=True) + c.to_bytes(4, 'little') +
                          v.to_bytes(4, 'little') + x.to_bytes(1, 'little', signed=True))
put('polis', 'votes_bin', b'SLVOTES1' + (3).to_bytes(8, 'little') + rec(1, 0, 0, 1) +
    rec(2, 1, 0, -1) + rec(3, 0, 7, 0))
put('polis', 'votes_bin_short', b'SLVOTES1' + (9).to_bytes(8, 'little') + rec(1, 0, 0, 1))

# --- markdown ---
for name, text in {
    'basic': '# 标题\n\n一段**加粗**和*斜体*，`代码`。\n\n- 甲\n- 乙\n\n1. 一\n2. 二\n\n> 引用\n',
    'links': '[好](https://example.com/a?b=1&c=2) [邮件](mailto:a@b.cn) [相对](/sessions/4) '
             '<https://auto.example/x>\n\n![图](http://img.example/a.png "标题")\n',
    'unsafe': '[x](javascript:alert(1)) [y](JaVaScRiPt:alert(1)) [z](data:text/html,<script>) '
              '![i](vbscript:msgbox) [e](&#106;avascript:alert(1)) [t](java\tscript:x)\n\n'
              '<script>alert(1)</script> <img src=x onerror=alert(1)>\n',
    'table': '| 甲 | 乙 |\n|:--|--:|\n| 1 | ~~2~~ |\n| <b> | & |\n',
    'code': '```c\nint main(void) { return \"<x>\"[0]; }\n```\n\n    indented\n',
    'refs': '[a][1] [b]\n\n[1]: https://x.example "t"\n[b]: <javascript:x>\n',
    'entities': '&amp; &lt; &#x3C; &copy; &#0; &#xFFFFFF; &bogus;\n',
}.items():
    put('markdown', name + '.md', text)

# --- mustache: templates from the spec, and JSON contexts for the pages ---
spec = os.path.join(ROOT, 'tests/data/mustache-spec')
k = 0
for fn in sorted(os.listdir(spec)) if os.path.isdir(spec) else []:
    if not fn.endswith('.json') or fn.startswith('~lambdas'):
        continue
    with open(os.path.join(spec, fn), encoding='utf-8') as f:
        tests = json.load(f)['tests']
    for t in tests[:6]:
        put('mustache', f'spec_{fn[:-5].lstrip("~")}_{k:02d}', t['template'])
        k += 1
put('mustache', 'partials', '{{#list}}{{>item}}{{/list}}{{<layout}}{{$title}}{{title}}{{/title}}{{/layout}}'
    '{{>self}}')
put('mustache', 'delims', '{{=<% %>=}}<% title %><%={{ }}=%>{{{title}}}{{&a.b.c}}{{! comment }}')
put('mustache', 'ctx_page', json.dumps({
    'title': '<script>"x"</script>', 'n': 1.21, 'lang': 'zh', 'csrf': 'abc', 'path': '/people',
    'list': [{'name': '甲'}, {'name': '乙'}],
    'me': {'user': {'display_name': '组织者', 'role': 'organizer'}, 'org': {'name': '某市政协'}},
    'items': [{'id': 1, 'name': '张三', 'category_label': '政协委员'}],
    'error': {'code': 'not_found', 'message': '没有'}}, ensure_ascii=False))
put('mustache', 'ctx_numbers', '{"n": 1e21, "title": "&amp;&#39;"}')
put('mustache', 'ctx_int', '{"n": -9007199254740993}')
put('mustache', 'text', '<a href="x">\'&\'</a> 中文')
print('corpus written to', OUT, file=sys.stderr)
