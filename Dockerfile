# The bot runs its TypeScript as it is (node --experimental-strip-types): no build step. The first stage installs the
# production dependencies from the lockfile, postinstall included (patch-package applies patches/); the second is
# the runtime, with nothing but Node, those modules and src/.
FROM node:22-slim AS deps
WORKDIR /app
# better-sqlite3 downloads a prebuilt binary; the compilers are its fallback and never reach the runtime image.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:22-slim
ENV NODE_ENV=production \
    MASTRA_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    DATABASE_PATH=/data/bot.db
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
# SQLite's file (when DATABASE_URL is not set) lives on a volume the unprivileged user owns.
RUN mkdir /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM: stop taking new work, finish what runs (up to 25 s), hand the lead on, exit.
STOPSIGNAL SIGTERM
CMD ["node", "--max-old-space-size=256", "--experimental-strip-types", "--disable-warning=ExperimentalWarning", "src/main.ts"]
