#!/bin/sh
# `make run`: create var/shenliao.db with the demo data on first run, then serve it.
set -eu
cd "$(dirname "$0")/.."

db=${SHENLIAO_DB:-var/shenliao.db}
listen=${SHENLIAO_LISTEN:-127.0.0.1:8080}
mkdir -p "$(dirname "$db")"
if [ ! -f "$db" ]; then
	echo "creating $db with demo data..."
	SHENLIAO_ADMIN_PASSWORD=${SHENLIAO_ADMIN_PASSWORD:-shenliao-demo} \
		build/shenliao demo --db "$db" --quiet
fi
cat <<MSG

  深聊 shenliao is serving http://$listen/

  demo logins (password: shenliao-demo)
    admin         admin of 广东省政协 (the root body)
    sz-admin      admin of 深圳市政协
    organizer     organizer, 深圳市政协
    member        member, 深圳市政协
    guest         guest, 深圳市政协
    yt-organizer  organizer, 盐田区政协
    ft-member     member, 福田区政协
    hr-handler    handling unit 市人力资源和社会保障局 (sees what is assigned to it)

  Ctrl-C stops the server.

MSG
exec build/shenliao serve --db "$db" --listen "$listen"
