-- Health of an argoproj.io/Application, for app-of-apps sync waves. Argo CD 1.8 removed its built-in health check
-- for Applications, so a parent would see its children as healthy at once and start the next wave before the
-- previous one is ready (argo-cd docs: operator-manual/health.md "Argocd App", upgrading/1.7-1.8.md).
-- The child's own assessment is passed through; until it has one, the child is Progressing, so the wave waits.
-- No library is used: the EKS managed Argo CD runs health scripts without the standard Lua libraries (EKS user
-- guide, "Configure Argo CD settings", Custom health checks).
local health = {status = "Progressing", message = "Waiting for the Application's first health assessment"}
if obj.status ~= nil and obj.status.health ~= nil and obj.status.health.status ~= nil then
  health.status = obj.status.health.status
  health.message = obj.status.health.message or ""
end
return health
