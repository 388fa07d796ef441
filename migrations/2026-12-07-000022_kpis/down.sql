DROP TABLE kpi_measurements;
DROP TABLE kpi_assignments;
DROP TABLE kpis;
DROP TABLE kpi_types;
DROP DOMAIN kpi_assignment_status;
DROP DOMAIN kpi_frequency;
DROP DOMAIN kpi_direction;
DROP DOMAIN kpi_unit_type;
