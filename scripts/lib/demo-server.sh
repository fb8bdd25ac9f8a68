# The demo server for the benches and the soak test, sourced by them (not run on its own).
#
#   demo_server PORT      builds the release todoke, starts `todoke serve --demo` on 127.0.0.1:PORT
#                         in a fresh temporary folder (the current folder from then on), waits until
#                         it answers, and stops it and removes the folder on exit. Sets $todoke
#                         (the binary), $server (its process id) and $base (its address).
#   demo_sign_in LOGIN    prints the session cookie (`name=value`) of a demo account.
#   demo_case             prints the id of the demo case.

demo_server() {
    local port=$1
    cargo build --release -q -p todoke-cli
    todoke=$PWD/target/release/todoke
    base="http://127.0.0.1:$port"
    local work
    work=$(mktemp -d)
    # shellcheck disable=SC2064 # the folder is fixed now; the server's id is read at exit
    trap "kill \"\$server\" 2>/dev/null || true; rm -rf '$work'" EXIT
    cd "$work"
    "$todoke" serve --demo --listen "127.0.0.1:$port" > accounts.txt 2> server.log &
    server=$!
    for _ in $(seq 1 100); do curl -sf "$base/healthz" >/dev/null && return 0; sleep 0.2; done
    echo "the demo server did not answer on $base" >&2
    cat server.log >&2
    return 1
}

demo_sign_in() {
    local login=$1 password cookie
    password=$(awk -v login="$login" '$1 == login { print $2 }' accounts.txt)
    cookie=$(curl -s -o /dev/null -D - -H "Origin: $base" \
        --data-urlencode "login=$login" --data-urlencode "password=$password" \
        "$base/sign-in" | awk -F'[ ;]' 'tolower($1) == "set-cookie:" { print $2 }')
    [ -n "$cookie" ] || { echo "sign-in as $login failed" >&2; return 1; }
    echo "$cookie"
}

demo_case() {
    "$todoke" --database sqlite://todoke.db incident list | awk '{ print $1; exit }'
}
