# Build stage: compile TypeScript (better-sqlite3 may build from source, so keep a toolchain here).
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The product only: the development tools (tools/: soak, bench) stay out of the image.
RUN npm run build:product && npm prune --omit=dev

# Run stage: compiled code, production dependencies, no compiler, not root.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY config ./config
COPY schemas ./schemas
# /run/mhs is where compose mounts the credentials volume; a new named volume takes this directory's
# owner, so the non-root init service can write the development PKI and API keys into it.
RUN mkdir -p /app/.mhs /run/mhs && chown node:node /app/.mhs /run/mhs
USER node
EXPOSE 8080 8443
HEALTHCHECK --interval=15s --timeout=3s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/mhs-gateway.js"]
CMD ["start"]
