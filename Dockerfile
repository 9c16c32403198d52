# The matching service (and the console and integrations it mounts): one image for every replica.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/app/data
# Manifests first: the dependency layer is rebuilt only when they change. tsx (a devDependency) runs the TypeScript.
COPY package.json package-lock.json ./
COPY db/package.json db/
COPY services/package.json services/
COPY gtfs-import/package.json gtfs-import/
COPY console/package.json console/
RUN npm ci --include=dev --no-audit --no-fund && npm cache clean --force
COPY . .
# The console's static files, when the console workspace has a build step.
RUN npm run build:console --if-present
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=6 \
  CMD node -e "fetch('http://127.0.0.1:3000/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["npm", "start"]
