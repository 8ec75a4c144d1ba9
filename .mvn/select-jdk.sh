# Sourced by ./mvnw, .ci/run and infra/bin/comments: makes JAVA_HOME point at a JDK 25.
# The machine's default java may be older (JDK 17 here), so an explicit choice is needed;
# a JAVA_HOME that already is a JDK 25 wins, then the usual install locations are searched.
comments_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}

comments_select_jdk() {
  local wanted=25 candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25* \
      /usr/lib/jvm/java-25* /usr/lib/jvm/jdk-25* /opt/java/openjdk /opt/jdk-25* \
      "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    if [ "$(comments_java_major "$candidate")" = "$wanted" ]; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "error: this project needs a JDK $wanted, and none was found." >&2
  echo "       Install one (for example Temurin $wanted) and set JAVA_HOME to it; searched JAVA_HOME," >&2
  echo "       /usr/lib/jvm/{temurin,java,jdk}-$wanted*, /opt/java/openjdk and the java on PATH." >&2
  return 1
}
